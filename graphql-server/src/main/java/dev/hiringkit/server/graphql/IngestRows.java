package dev.hiringkit.server.graphql;

import dev.hiringkit.Table;
import dev.hiringkit.repository.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The hires of an {@code ingest} into its batch, from either form the schema takes: {@code hiredEmployees},
 * an object per row, or {@code hiredEmployeeColumns}, a list per field. Both give the library each row as
 * the text of its fields, so that a value that is not one (a datetime, say) is that row's reason and not an
 * error of the request, and a refused row is logged as it was sent, whichever form carried it.
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
                batch.addRecord(Table.HIRED_EMPLOYEES, Arrays.asList(text(hire.get("id")), (String) hire.get("name"),
                        (String) hire.get("datetime"), text(hire.get("departmentId")), text(hire.get("jobId"))));
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
            batch.addRecord(Table.HIRED_EMPLOYEES, Arrays.asList(text(lists[0].get(i)), (String) lists[1].get(i),
                    (String) lists[2].get(i), text(lists[3].get(i)), text(lists[4].get(i))));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
