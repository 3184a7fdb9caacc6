"""The Harvest API v2 sandbox: a local imitation of `https://api.harvestapp.com/v2` serving
the harvest database of the sandbox store. See README.md for the implemented subset."""
