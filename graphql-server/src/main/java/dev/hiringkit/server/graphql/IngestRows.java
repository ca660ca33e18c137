package dev.hiringkit.server.graphql;

import dev.hiringkit.Table;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.validation.Datetimes;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The hires of an {@code ingest} into its batch, from either form the schema takes: {@code hiredEmployees},
 * an object per row, or {@code hiredEmployeeColumns}, a list per field. A value that is not one (a datetime,
 * say) is that row's reason and not an error of the request, and a refused row is logged as it was sent,
 * whichever form carried it (see {@link #add}).
 */
final class IngestRows {

    static final String ROWS = "hiredEmployees";
    static final String COLUMNS = "hiredEmployeeColumns";
    /** The fields of a hire in the table's column order, as both input types name them. */
    private static final List<String> FIELDS = List.of("id", "name", "datetime", "departmentId", "jobId");

    private IngestRows() {
    }

    /** Adds the input's hires, in either form, to {@code batch}; giving both forms is the request's error. */
    static void addHiredEmployees(Batch.Builder batch, Map<String, Object> input) {
        Object rows = input.get(ROWS);
        Object columns = input.get(COLUMNS);
        if (rows != null && columns != null) {
            throw new ApiException(ApiException.Code.BAD_REQUEST, "Give the hires as " + ROWS + " or as " + COLUMNS + ", not both.");
        }
        if (columns != null) {
            addColumns(batch, cast(columns));
        } else if (rows != null) {
            for (Object row : (List<?>) rows) {
                Map<String, Object> hire = cast(row);
                add(batch, hire.get("id"), hire.get("name"), hire.get("datetime"), hire.get("departmentId"),
                        hire.get("jobId"));
            }
        }
    }

    private static void addColumns(Batch.Builder batch, Map<String, Object> columns) {
        List<?>[] lists = new List<?>[FIELDS.size()];
        for (int f = 0; f < lists.length; f++) {
            lists[f] = (List<?>) columns.get(FIELDS.get(f));
        }
        int rows = lists[0].size();
        if (Arrays.stream(lists).anyMatch(list -> list.size() != rows)) {
            StringBuilder sizes = new StringBuilder();
            for (int f = 0; f < lists.length; f++) {
                sizes.append(f == 0 ? "" : ", ").append(FIELDS.get(f)).append(' ').append(lists[f].size());
            }
            throw new ApiException(ApiException.Code.BAD_REQUEST, COLUMNS + " needs one entry per row in every list; it has " + sizes
                    + ".");
        }
        for (int i = 0; i < rows; i++) {
            add(batch, lists[0].get(i), lists[1].get(i), lists[2].get(i), lists[3].get(i), lists[4].get(i));
        }
    }

    /**
     * One hire: as the library's typed row when every field is there and its datetime is written the way the
     * library writes one back (so a refused row is logged exactly as it was sent), else as the text of its
     * fields, which the library reads by the data rules. Both meet the same rules with the same reasons; the
     * typed row spares turning the integers into text and reading them back (about a tenth of the server's
     * CPU for a 1000-row batch).
     */
    private static void add(Batch.Builder batch, Object id, Object name, Object datetime, Object departmentId,
            Object jobId) {
        if (id instanceof Integer i && name instanceof String n && datetime instanceof String text
                && departmentId instanceof Integer department && jobId instanceof Integer job) {
            Instant at = Datetimes.parse(text).orElse(null);
            if (at != null && writtenAsInstant(text, at)) {
                batch.add(new HiredEmployee(i, n, at, department, job));
                return;
            }
        }
        batch.addRecord(Table.HIRED_EMPLOYEES, Arrays.asList(text(id), (String) name, (String) datetime,
                text(departmentId), text(jobId)));
    }

    /**
     * True when {@code text} is {@code at} as {@link Instant#toString} writes it ({@code 2021-07-27T16:02:08Z},
     * years 0 to 9999), which is how the library logs a typed row's datetime; false for any other text. Compared field by field: writing each instant out
     * to compare the text took 6% of the server's CPU for a 1000-row batch.
     */
    static boolean writtenAsInstant(String text, Instant at) {
        if (text.length() != 20 || at.getNano() != 0) {
            return false;
        }
        LocalDateTime utc = LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC);
        return utc.getYear() >= 0 && writes(text, 0, 4, utc.getYear()) && text.charAt(4) == '-'
                && writes(text, 5, 2, utc.getMonthValue()) && text.charAt(7) == '-'
                && writes(text, 8, 2, utc.getDayOfMonth()) && text.charAt(10) == 'T'
                && writes(text, 11, 2, utc.getHour()) && text.charAt(13) == ':'
                && writes(text, 14, 2, utc.getMinute()) && text.charAt(16) == ':'
                && writes(text, 17, 2, utc.getSecond()) && text.charAt(19) == 'Z';
    }

    /** True when the {@code width} characters at {@code start} are {@code value} in decimal, zero-padded. */
    private static boolean writes(String text, int start, int width, int value) {
        int rest = value;
        for (int i = start + width - 1; i >= start; i--, rest /= 10) {
            if (text.charAt(i) != (char) ('0' + rest % 10)) {
                return false;
            }
        }
        return rest == 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
