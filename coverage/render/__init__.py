"""Maps for people: Folium layers, raster images, the offline document and static assets.

``map`` builds the interactive map (:func:`~coverage.render.map.coverage_map`), ``layers``
its layers (folium elements of ``elements``, popup text and colours of ``formatting``),
``raster`` the PNG overlays, ``offline`` the self-contained HTML with the
vendored assets of ``static/``. The only room (with reports) that knows HTML and
EPSG:4326 display. It may import everything below it (io, model, gaps); nothing imports it
but the CLI, the demo and the public API.
"""
