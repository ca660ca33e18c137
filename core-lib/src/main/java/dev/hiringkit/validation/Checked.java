package dev.hiringkit.validation;

import dev.hiringkit.model.Row;
import java.util.List;

/** The outcome of checking one record: the typed row when every rule holds, else every violation. */
public record Checked<T extends Row>(T row, List<Violation> violations) {

    public Checked {
        violations = List.copyOf(violations);
    }

    public boolean valid() {
        return violations.isEmpty();
    }
}
