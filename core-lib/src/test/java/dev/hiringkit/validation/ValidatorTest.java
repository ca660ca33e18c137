package dev.hiringkit.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidatorTest {

    private final Validator validator = Validator.standard();

    private List<ReasonCode> codes(String... fields) {
        return validator.parse(Table.HIRED_EMPLOYEES, List.of(fields)).violations().stream().map(Violation::code).toList();
    }

    @Test
    void aValidRecordParsesToItsTypedRow() {
        Checked<Row> checked = validator.parse(Table.HIRED_EMPLOYEES, List.of("7", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertTrue(checked.valid());
        assertEquals(new HiredEmployee(7, "Ana", Instant.parse("2021-07-27T16:02:08Z"), 2, 3), checked.row());
        assertEquals(new Department(1, "Sales"), validator.parse(Table.DEPARTMENTS, List.of("1", "Sales")).row());
        assertEquals(new Job(2, "VP"), validator.parse(Table.JOBS, List.of("2", "VP")).row());
    }

    @Test
    void ids() {
        assertEquals(List.of(ReasonCode.MISSING_FIELD), codes("", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.MISSING_FIELD), codes("  ", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.NOT_AN_INTEGER), codes("7a", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.NOT_AN_INTEGER), codes("-", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.NOT_AN_INTEGER), codes(" 7", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE), codes("-5", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE), codes("0", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE), codes("2147483648", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE),
                codes("123456789012345678901234567890", "Ana", "2021-07-27T16:02:08Z", "2", "3"));
        assertTrue(codes("2147483647", "Ana", "2021-07-27T16:02:08Z", "2", "3").isEmpty());
    }

    @Test
    void datetimes() {
        assertEquals(Instant.parse("2021-01-01T04:30:00Z"), ((HiredEmployee) validator.parse(Table.HIRED_EMPLOYEES,
                List.of("1", "Ana", "2020-12-31T23:30:00-05:00", "1", "1")).row()).datetime());
        assertTrue(codes("1", "Ana", "2021-07-27T16:02:08.123Z", "1", "1").isEmpty());
        assertEquals(List.of(ReasonCode.BAD_DATETIME), codes("1", "Ana", "2021-02-30T00:00:00Z", "1", "1"));
        assertEquals(List.of(ReasonCode.BAD_DATETIME), codes("1", "Ana", "2021-07-27T16:02:08", "1", "1"));
        assertEquals(List.of(ReasonCode.BAD_DATETIME), codes("1", "Ana", "27/07/2021", "1", "1"));
        assertEquals(List.of(ReasonCode.BAD_DATETIME), codes("1", "Ana", "2021-07-27T25:02:08Z", "1", "1"));
    }

    @Test
    void aDatetimeMustBeInTheRangePostgreSqlStores() {
        for (String outside : List.of("+294247-01-01T00:00:00Z", "-4713-01-01T00:00:00Z", "-4713-11-23T23:59:59Z",
                "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00+18:00", "+294246-12-31T23:00:00-01:00")) {
            assertEquals(List.of(ReasonCode.OUT_OF_RANGE), codes("1", "Ana", outside, "1", "1"), outside);
        }
        for (String inside : List.of("+294246-12-31T23:59:59.999999Z", "-4713-11-24T00:00:00Z", "0000-01-01T00:00:00Z",
                "+10000-01-01T00:00:00Z", "-4713-11-24T01:00:00+01:00")) {
            assertTrue(codes("1", "Ana", inside, "1", "1").isEmpty(), inside);
        }
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE), validator.check(new HiredEmployee(1, "Ana", Instant.MIN, 1, 1))
                .stream().map(Violation::code).toList());
    }

    @Test
    void aScopeReportsEveryReasonOfARecordInFieldOrder() {
        Validator.Scope scope = validator.scope((table, id) -> id == 1);
        assertEquals(List.of(ReasonCode.BAD_DATETIME, ReasonCode.UNKNOWN_DEPARTMENT),
                codes(scope.admit(Table.HIRED_EMPLOYEES, List.of("5001", "X", "not-a-date", "99", "1")).violations()));
        assertEquals(List.of(ReasonCode.MISSING_FIELD, ReasonCode.UNKNOWN_JOB),
                codes(scope.admit(Table.HIRED_EMPLOYEES, List.of("5002", "", "2021-01-01T00:00:00Z", "1", "999"))
                        .violations()));
        assertEquals(List.of(ReasonCode.DUPLICATE_ID, ReasonCode.MISSING_FIELD, ReasonCode.NOT_AN_INTEGER,
                ReasonCode.UNKNOWN_JOB), codes(scope.admit(Table.HIRED_EMPLOYEES,
                        List.of("1", " ", "2021-01-01T00:00:00Z", "x", "7")).violations()));
        assertEquals(List.of(ReasonCode.MISSING_FIELD, ReasonCode.UNKNOWN_DEPARTMENT),
                codes(scope.admit(new HiredEmployee(5003, "", Instant.EPOCH, 4, 1))));
        // A reference that is not a valid id is reported once, for its form, not also as unknown.
        assertEquals(List.of(ReasonCode.OUT_OF_RANGE),
                codes(scope.admit(Table.HIRED_EMPLOYEES, List.of("5004", "Ana", "2021-01-01T00:00:00Z", "0", "1"))
                        .violations()));
        Checked<Row> valid = scope.admit(Table.HIRED_EMPLOYEES, List.of("5005", "Ana", "2021-01-01T00:00:00Z", "1", "1"));
        assertEquals(new HiredEmployee(5005, "Ana", Instant.parse("2021-01-01T00:00:00Z"), 1, 1), valid.row());
        assertEquals(List.of(ReasonCode.DUPLICATE_ID),
                codes(scope.admit(Table.HIRED_EMPLOYEES, List.of("5005", "Ana", "2021-01-01T00:00:00Z", "1", "1"))
                        .violations()), "an admitted id is taken");
    }

    @Test
    void everyViolationOfARowIsReported() {
        assertEquals(List.of(ReasonCode.NOT_AN_INTEGER, ReasonCode.MISSING_FIELD, ReasonCode.BAD_DATETIME,
                ReasonCode.OUT_OF_RANGE, ReasonCode.MISSING_FIELD), codes("x", "", "soon", "-1", ""));
        assertEquals(List.of(ReasonCode.WRONG_COLUMN_COUNT), codes("1", "Ana"));
        assertEquals(List.of(ReasonCode.MISSING_FIELD, ReasonCode.MISSING_FIELD, ReasonCode.MISSING_FIELD,
                ReasonCode.OUT_OF_RANGE), validator.check(new HiredEmployee(null, " ", null, 1, 0)).stream()
                .map(Violation::code).toList());
        assertEquals(List.of(ReasonCode.BAD_ENCODING), validator.check(new Department(1, "a\0b")).stream()
                .map(Violation::code).toList());
    }

    @Test
    void scopeChecksDuplicatesAndReferences() {
        Set<Integer> storedDepartments = Set.of(1);
        Set<Integer> storedJobs = Set.of(1);
        Set<Integer> storedEmployees = Set.of(100);
        Validator.Scope scope = validator.scope((table, id) -> switch (table) {
            case DEPARTMENTS -> storedDepartments.contains(id);
            case JOBS -> storedJobs.contains(id);
            case HIRED_EMPLOYEES -> storedEmployees.contains(id);
        });
        Instant at = Instant.parse("2021-01-01T00:00:00Z");
        assertEquals(List.of(ReasonCode.DUPLICATE_ID), codes(scope.admit(new HiredEmployee(100, "A", at, 1, 1))));
        assertTrue(scope.admit(new HiredEmployee(101, "B", at, 1, 1)).isEmpty());
        assertEquals(List.of(ReasonCode.DUPLICATE_ID), codes(scope.admit(new HiredEmployee(101, "C", at, 1, 1))));
        assertEquals(List.of(ReasonCode.UNKNOWN_DEPARTMENT, ReasonCode.UNKNOWN_JOB),
                codes(scope.admit(new HiredEmployee(102, "D", at, 2, 2))));
        // A refused row does not take its id: a later valid row with it is admitted.
        assertTrue(scope.admit(new HiredEmployee(102, "E", at, 1, 1)).isEmpty());
        // Parents admitted earlier in the same input count as known.
        assertTrue(scope.admit(new Department(2, "New")).isEmpty());
        assertTrue(scope.admit(new HiredEmployee(103, "F", at, 2, 1)).isEmpty());
    }

    private static List<ReasonCode> codes(List<Violation> violations) {
        return violations.stream().map(Violation::code).toList();
    }
}
