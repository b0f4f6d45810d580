"""What the tests share besides fixtures: paths, stores, servers, processes, data."""
