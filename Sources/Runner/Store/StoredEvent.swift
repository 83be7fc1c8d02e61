/// An accepted event as the store keeps it: canonical JSON beside the original payload.
public struct StoredEvent: Sendable {
    /// The event.
    public var event: Event
    /// The registry's payload, unchanged, for `body: original`.
    public var payload: [UInt8]
    /// The payload's Content-Type.
    public var contentType: String?
    /// When Harbinger accepted it, in milliseconds since 1970.
    public var receivedAt: Int64
    /// The event's canonical JSON text once written (by ingest, or as read back from the store), so it
    /// is serialized once per event rather than by the store's writer and again by every attempt.
    public var canonicalJSON: String?

    /// Creates a stored event.
    public init(event: Event, payload: [UInt8], contentType: String?, receivedAt: Int64, canonicalJSON: String? = nil) {
        self.event = event
        self.payload = payload
        self.contentType = contentType
        self.receivedAt = receivedAt
        self.canonicalJSON = canonicalJSON
    }

    /// The canonical JSON text of the event.
    public var json: String { canonicalJSON ?? event.json.serialized() }
}

/// One webhook request's worth of work for the store: its events and the deliveries they start.
public struct IngestBatch: Sendable {
    /// The events decoded from the request.
    public var events: [StoredEvent]
    /// The first delivery of every matching rule's chain, for each event.
    public var deliveries: [Delivery]

    /// Creates a batch.
    public init(events: [StoredEvent], deliveries: [Delivery]) {
        self.events = events
        self.deliveries = deliveries
    }
}

/// What the store did with one request's batch.
public struct IngestResult: Sendable, Hashable {
    /// Event ids stored now.
    public var accepted: [String]
    /// Event ids that were already stored (a registry retrying): their deliveries were not added again.
    public var duplicates: [String]

    /// Creates a result.
    public init(accepted: [String], duplicates: [String]) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}

/// The rules files a set of deliveries was enqueued under.
public struct RulesSnapshot: Sendable, Hashable {
    /// File name and content, in load order.
    public var files: [File]

    /// One file of a snapshot.
    public struct File: Sendable, Hashable {
        /// The path the file was loaded from.
        public var name: String
        /// Its bytes.
        public var content: [UInt8]

        /// Creates a file.
        public init(name: String, content: [UInt8]) {
            self.name = name
            self.content = content
        }
    }

    /// Creates a snapshot.
    public init(files: [File]) {
        self.files = files
    }
}
