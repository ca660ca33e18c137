package dev.hiringkit.validation;

import dev.hiringkit.Table;

/** The ids already stored, as a {@link Validator.Scope} needs them for duplicate and reference checks. */
@FunctionalInterface
public interface KnownIds {

    boolean contains(Table table, int id);
}
