package dev.hiringkit.repository;

import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import java.util.List;

/**
 * New rows for one or more tables, inserted together, parents first. With {@code allOrNothing}, one
 * invalid row keeps every row out.
 */
public record Batch(List<Department> departments, List<Job> jobs, List<HiredEmployee> hiredEmployees,
        boolean allOrNothing) {

    public Batch {
        departments = departments == null ? List.of() : List.copyOf(departments);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        hiredEmployees = hiredEmployees == null ? List.of() : List.copyOf(hiredEmployees);
    }

    public static Batch ofDepartments(List<Department> rows) {
        return new Batch(rows, List.of(), List.of(), false);
    }

    public static Batch ofJobs(List<Job> rows) {
        return new Batch(List.of(), rows, List.of(), false);
    }

    public static Batch ofHiredEmployees(List<HiredEmployee> rows) {
        return new Batch(List.of(), List.of(), rows, false);
    }

    /** The same rows in all-or-nothing mode. */
    public Batch asAllOrNothing() {
        return new Batch(departments, jobs, hiredEmployees, true);
    }
}
