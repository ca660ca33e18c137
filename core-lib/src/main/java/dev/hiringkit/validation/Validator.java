package dev.hiringkit.validation;

import dev.hiringkit.Table;
import dev.hiringkit.internal.ApiBoundary;
import dev.hiringkit.internal.validation.StandardValidator;
import dev.hiringkit.model.Row;
import java.util.List;

/**
 * The data rules, pure and reusable: field rules for raw CSV fields and for typed rows, and, within a
 * {@link Scope}, duplicate ids and references to departments and jobs.
 */
public interface Validator {

    /** Parses and checks the fields of one CSV record of {@code table}: the field rules alone. */
    Checked<Row> parse(Table table, List<String> fields);

    /** Checks the fields of a typed row (missing values, ranges, characters): the field rules alone. */
    List<Violation> check(Row row);

    /**
     * Starts checking one input (a file or a batch): ids are checked against {@code stored} and against
     * the rows admitted earlier in the same scope; references against stored and admitted parents.
     */
    Scope scope(KnownIds stored);

    /**
     * Every rule across one input. A record is checked whole: the field rules, and the duplicate and
     * reference checks of every id that is itself well formed, so each violation is reported at once.
     */
    interface Scope {

        /**
         * Parses and checks one CSV record of {@code table}; when every rule holds, its id counts as taken
         * from now on and the typed row is returned.
         */
        Checked<Row> admit(Table table, List<String> fields);

        /**
         * Checks a typed row; when every rule holds, its id counts as taken from now on. Returns the
         * violations, empty when the row is admitted.
         */
        List<Violation> admit(Row row);
    }

    /** The validator of the data rules of HiringKit. */
    static Validator standard() {
        return ApiBoundary.guard(Validator.class, new StandardValidator());
    }
}
