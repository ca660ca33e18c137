package dev.hiringkit.server.http;

/** A request refused before or outside execution, answered with its HTTP status, a code and a message. */
final class Refusal extends Exception {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;

    Refusal(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }
}
