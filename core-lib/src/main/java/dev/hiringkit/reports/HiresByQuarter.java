package dev.hiringkit.reports;

import java.util.List;

/**
 * Hires per department and job in each quarter of a year, ordered by department then job.
 *
 * @param rows this page's rows
 * @param offset the position of the first row in the whole report
 * @param totalRows the rows of the whole report
 * @param totals hires per quarter over the whole report
 */
public record HiresByQuarter(int year, List<Row> rows, int offset, int totalRows, Quarters totals) {

    public HiresByQuarter {
        rows = List.copyOf(rows);
    }

    /** One department and job. */
    public record Row(int departmentId, String department, int jobId, String job, Quarters hires) {
    }

    /** Counts for Q1 (January to March) to Q4, in UTC. */
    public record Quarters(long q1, long q2, long q3, long q4) {

        public long total() {
            return q1 + q2 + q3 + q4;
        }
    }

    /** True when rows follow this page. */
    public boolean hasMore() {
        return offset + rows.size() < totalRows;
    }
}
