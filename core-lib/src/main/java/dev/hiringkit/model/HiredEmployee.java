package dev.hiringkit.model;

import dev.hiringkit.Table;
import java.time.Instant;

/** A hire: {@code hired_employees(id, name, datetime, department_id, job_id)}; the time is UTC. */
public record HiredEmployee(Integer id, String name, Instant datetime, Integer departmentId, Integer jobId)
        implements Row {

    @Override
    public Table table() {
        return Table.HIRED_EMPLOYEES;
    }

    @Override
    public String toCsv() {
        return Csv.join(id, name, datetime, departmentId, jobId);
    }
}
