package dev.hiringkit.internal.validation;

import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import dev.hiringkit.validation.Checked;
import dev.hiringkit.validation.Datetimes;
import dev.hiringkit.validation.KnownIds;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/** The rules of DESIGN.md's "Data rules", written once for CSV fields and typed rows alike. */
public final class StandardValidator implements Validator {

    /**
     * The datetimes that can be stored and backed up: PostgreSQL's timestamptz starts at 4714-11-24 BC
     * (ISO year -4713) and ends with 294276 AD, but a backup's Avro timestamp-micros (a long from 1970)
     * ends in 294247, so the rule stops at the end of 294246. A value outside would abort the COPY or
     * INSERT that carries it, or the backup that reads it.
     */
    static final Instant EARLIEST = Instant.parse("-4713-11-24T00:00:00Z");
    static final Instant AFTER_LATEST = Instant.parse("+294247-01-01T00:00:00Z");

    @Override
    public Checked<Row> parse(Table table, List<String> fields) {
        List<Violation> violations = new ArrayList<>(0);
        Row row = fields(table, fields, violations);
        return new Checked<>(violations.isEmpty() ? row : null, violations);
    }

    @Override
    public List<Violation> check(Row row) {
        List<Violation> violations = new ArrayList<>(0);
        checkFields(row, violations);
        return violations;
    }

    /** The fields of a record as a row, with null where a field breaks a rule; null for a wrong field count. */
    private static Row fields(Table table, List<String> fields, List<Violation> violations) {
        if (fields.size() != table.columns().size()) {
            violations.add(new Violation("record", ReasonCode.WRONG_COLUMN_COUNT,
                    "expected " + table.columns().size() + " fields (" + String.join(",", table.columns())
                            + ") but found " + fields.size()));
            return null;
        }
        return switch (table) {
            case DEPARTMENTS -> new Department(id(fields.get(0), "id", violations),
                    text(fields.get(1), "department", violations));
            case JOBS -> new Job(id(fields.get(0), "id", violations), text(fields.get(1), "job", violations));
            case HIRED_EMPLOYEES -> new HiredEmployee(id(fields.get(0), "id", violations),
                    text(fields.get(1), "name", violations),
                    datetime(fields.get(2), violations),
                    id(fields.get(3), "department_id", violations),
                    id(fields.get(4), "job_id", violations));
        };
    }

    private static void checkFields(Row row, List<Violation> violations) {
        if (row instanceof Department d) {
            checkId(d.id(), "id", violations);
            checkText(d.department(), "department", violations);
        } else if (row instanceof Job j) {
            checkId(j.id(), "id", violations);
            checkText(j.job(), "job", violations);
        } else if (row instanceof HiredEmployee e) {
            checkId(e.id(), "id", violations);
            checkText(e.name(), "name", violations);
            if (e.datetime() == null) {
                violations.add(missing("datetime"));
            } else {
                checkRange(e.datetime(), e.datetime().toString(), violations);
            }
            checkId(e.departmentId(), "department_id", violations);
            checkId(e.jobId(), "job_id", violations);
        }
    }

    @Override
    public Scope scope(KnownIds stored) {
        return new StandardScope(stored);
    }

    /**
     * Tracks the ids admitted so far in one input, per table. Every rule is checked on every record:
     * the duplicate and reference checks run on each id that is itself well formed, so a record is
     * logged with all of its reasons, not only the first.
     */
    private static final class StandardScope implements Scope {
        private final KnownIds stored;
        private final Map<Table, RoaringBitmap> admitted = new EnumMap<>(Table.class);

        StandardScope(KnownIds stored) {
            this.stored = stored;
            for (Table table : Table.values()) {
                admitted.put(table, new RoaringBitmap());
            }
        }

        @Override
        public Checked<Row> admit(Table table, List<String> fields) {
            List<Violation> violations = new ArrayList<>(0);
            Row row = fields(table, fields, violations);
            if (row != null) {
                admit(row, violations);
            }
            return new Checked<>(violations.isEmpty() ? row : null, violations);
        }

        @Override
        public List<Violation> admit(Row row) {
            List<Violation> violations = new ArrayList<>(0);
            checkFields(row, violations);
            admit(row, violations);
            return violations;
        }

        /** Adds the duplicate and reference violations to the field violations; admits the row if none. */
        private void admit(Row row, List<Violation> violations) {
            int fieldViolations = violations.size();
            Integer id = row.id();
            if (usable(id) && known(row.table(), id)) {
                violations.add(new Violation("id", ReasonCode.DUPLICATE_ID,
                        row.table().sqlName() + " already has id " + id));
            }
            if (row instanceof HiredEmployee e) {
                if (usable(e.departmentId()) && !known(Table.DEPARTMENTS, e.departmentId())) {
                    violations.add(new Violation("department_id", ReasonCode.UNKNOWN_DEPARTMENT,
                            "no department has id " + e.departmentId()));
                }
                if (usable(e.jobId()) && !known(Table.JOBS, e.jobId())) {
                    violations.add(new Violation("job_id", ReasonCode.UNKNOWN_JOB, "no job has id " + e.jobId()));
                }
            }
            if (violations.isEmpty()) {
                admitted.get(row.table()).add(id);
            } else if (fieldViolations > 0 && violations.size() > fieldViolations) {
                // Reasons in the order of the record's fields, as a reader of the log expects them.
                List<String> columns = row.table().columns();
                violations.sort(Comparator.comparingInt(v -> columns.indexOf(v.field())));
            }
        }

        private static boolean usable(Integer id) {
            return id != null && id > 0;
        }

        private boolean known(Table table, int id) {
            return admitted.get(table).contains(id) || stored.contains(table, id);
        }
    }

    // ---- field rules -------------------------------------------------------------------------

    private static Violation missing(String field) {
        return new Violation(field, ReasonCode.MISSING_FIELD, field + " is required");
    }

    private static void checkId(Integer id, String field, List<Violation> violations) {
        if (id == null) {
            violations.add(missing(field));
        } else if (id <= 0) {
            violations.add(outOfRange(field, id.toString()));
        }
    }

    private static Violation outOfRange(String field, String value) {
        return new Violation(field, ReasonCode.OUT_OF_RANGE,
                field + " must be between 1 and 2147483647, got " + value);
    }

    private static void checkText(String text, String field, List<Violation> violations) {
        if (text == null || text.isBlank()) {
            violations.add(missing(field));
        } else if (text.indexOf('\0') >= 0) {
            violations.add(new Violation(field, ReasonCode.BAD_ENCODING,
                    field + " contains a NUL character, which PostgreSQL cannot store"));
        }
    }

    private static String text(String raw, String field, List<Violation> violations) {
        checkText(raw, field, violations);
        return raw;
    }

    private static Integer id(String raw, String field, List<Violation> violations) {
        if (raw.isBlank()) {
            violations.add(missing(field));
            return null;
        }
        int length = raw.length();
        int start = raw.charAt(0) == '-' || raw.charAt(0) == '+' ? 1 : 0;
        if (start == length) {
            violations.add(notAnInteger(field, raw));
            return null;
        }
        for (int i = start; i < length; i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                violations.add(notAnInteger(field, raw));
                return null;
            }
        }
        // Up to 18 digits fit a long; anything longer is out of range whatever its value.
        if (length - start > 18) {
            violations.add(outOfRange(field, raw));
            return null;
        }
        long value = Long.parseLong(raw);
        if (value <= 0 || value > Integer.MAX_VALUE) {
            violations.add(outOfRange(field, raw));
            return null;
        }
        return (int) value;
    }

    private static Violation notAnInteger(String field, String raw) {
        return new Violation(field, ReasonCode.NOT_AN_INTEGER, field + " must be a whole number, got '" + raw + "'");
    }

    private static Instant datetime(String raw, List<Violation> violations) {
        if (raw.isBlank()) {
            violations.add(missing("datetime"));
            return null;
        }
        Instant instant = Datetimes.parse(raw).orElse(null);
        if (instant == null) {
            violations.add(new Violation("datetime", ReasonCode.BAD_DATETIME,
                    "datetime must be an ISO 8601 instant such as 2021-07-27T16:02:08Z, got '" + raw + "'"));
            return null;
        }
        return checkRange(instant, raw, violations) ? instant : null;
    }

    private static boolean checkRange(Instant instant, String raw, List<Violation> violations) {
        if (instant.isBefore(EARLIEST) || !instant.isBefore(AFTER_LATEST)) {
            violations.add(new Violation("datetime", ReasonCode.OUT_OF_RANGE, "datetime must be between"
                    + " 4714-11-24 BC and the end of 294246 AD, got '" + raw + "'"));
            return false;
        }
        return true;
    }
}
