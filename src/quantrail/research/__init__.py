"""Research: vectorized screening, parameter sweeps and search, local or on a Dask cluster."""
