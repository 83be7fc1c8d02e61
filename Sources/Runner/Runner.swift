/// Runner: action plugins, the durable store and delivery workers.
@_exported import Router
