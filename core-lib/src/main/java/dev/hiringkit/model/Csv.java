package dev.hiringkit.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.commons.csv.CSVFormat;

/** Renders rows as RFC 4180 records, so a rejected API row is logged in the same form as a file's. */
final class Csv {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator("").get();

    private Csv() {
    }

    static String join(Object... values) {
        StringBuilder out = new StringBuilder();
        try {
            FORMAT.printRecord(out, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
