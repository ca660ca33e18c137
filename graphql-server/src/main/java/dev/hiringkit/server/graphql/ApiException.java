package dev.hiringkit.server.graphql;

/** A refusal the API reports with a stable code, such as UNAUTHENTICATED or FORBIDDEN. */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    ApiException(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
