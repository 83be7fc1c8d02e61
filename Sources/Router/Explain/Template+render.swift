/// Rendering `{{...}}` templates over a canonical event.
extension Template {
    /// The template's text with the event's fields filled in (missing fields render empty).
    public func render(_ event: Event) -> String {
        compiled?.render(event.templateContext) ?? text
    }
}
