package dev.hiringkit.reports;

import java.util.List;

/**
 * The departments that hired strictly more than the mean in a year, by hires descending then id. The
 * mean is over all departments: one with no hire in the year counts as 0.
 *
 * @param departmentCount the departments the mean is taken over
 * @param totalHired hires of all departments in the year
 */
public record DepartmentsAboveMean(int year, double mean, long departmentCount, long totalHired,
        List<Department> departments) {

    public DepartmentsAboveMean {
        departments = List.copyOf(departments);
    }

    /** A department and its hires in the year. */
    public record Department(int id, String department, long hired) {
    }
}
