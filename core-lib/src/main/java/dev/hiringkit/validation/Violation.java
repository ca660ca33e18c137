package dev.hiringkit.validation;

/** One broken rule of one record: the field (a column name, or {@code record}), the code and a message. */
public record Violation(String field, ReasonCode code, String message) {
}
