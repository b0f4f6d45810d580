"""Where things are on the earth: the outlines of the countries of the region, offline."""
