"""Every vector read and write: communes, towers, gap lists."""
