/// Runner: action plugins, the durable store and delivery workers. Owns time, network, processes and storage.
@_exported import Router
