package dev.hiringkit.server.graphql;

/** A refusal the API reports with a stable code, such as UNAUTHENTICATED or FORBIDDEN. */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The codes of the API's own refusals, as clients read them in {@code extensions.code}. */
    enum Code {
        /** An argument out of its range or form: a size, a cursor, an id, a source. */
        BAD_REQUEST,
        /** No token, where the field needs one. */
        UNAUTHENTICATED,
        /** The token's role does not allow the field. */
        FORBIDDEN,
        /** Wrong user name or password at {@code login}. */
        INVALID_CREDENTIALS,
        /** Too many failed sign-ins of one user from one address. */
        TOO_MANY_ATTEMPTS,
        /** An idempotency key that is not 1 to 255 printable ASCII characters. */
        INVALID_IDEMPOTENCY_KEY,
        /** The idempotencyKey argument and the Idempotency-Key header name different keys. */
        IDEMPOTENCY_KEY_MISMATCH,
        /** A load source (directory or S3 prefix) that does not exist. */
        SOURCE_NOT_FOUND,
        /** A load id no load has. */
        LOAD_NOT_FOUND,
        /** A background load that failed before it was recorded. */
        LOAD_NOT_STARTED,
        /** Background loads at their limit. */
        TOO_MANY_LOADS,
        /** The instance is stopping and starts no more background loads. */
        SHUTTING_DOWN,
        /** An uploaded file that could not be read whole. */
        UPLOAD_FAILED
    }

    private final Code code;

    ApiException(Code code, String message) {
        super(message);
        this.code = code;
    }

    Code code() {
        return code;
    }
}
