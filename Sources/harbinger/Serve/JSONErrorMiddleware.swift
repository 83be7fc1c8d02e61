/// Keeps every error answer in the `{"error", "detail"}` shape, whatever Hummingbird or a handler throws.
import Hummingbird

/// Turns errors thrown below it (an unknown route, a failed handler) into the `{"error", "detail"}` JSON answer.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let detail = error.status == .notFound
                ? "no endpoint \(request.method) \(String(request.uri.path.prefix(200)))"
                : error.body ?? error.status.reasonPhrase
            return .json(error.status, ErrorBody(error: error.status.reasonPhrase.lowercased(), detail: detail))
        } catch {
            context.logger.error("a request failed", metadata: ["error": "\(error)"])
            return .json(.internalServerError, ErrorBody(error: "internal error", detail: "the request could not be handled"))
        }
    }
}
