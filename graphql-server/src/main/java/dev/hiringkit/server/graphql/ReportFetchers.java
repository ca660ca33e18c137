package dev.hiringkit.server.graphql;

import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.reports.Reports;
import graphql.schema.DataFetchingEnvironment;

/** The two reports, answered with the library's records as they are. */
final class ReportFetchers {

    private final Reports reports;

    ReportFetchers(Reports reports) {
        this.reports = reports;
    }

    HiresByQuarter hiresByQuarter(DataFetchingEnvironment env) {
        return reports.hiresByQuarter(env.<Integer>getArgument("year"), env.<Integer>getArgument("offset"),
                Arguments.limit(env, "limit"));
    }

    DepartmentsAboveMean departmentsAboveMean(DataFetchingEnvironment env) {
        return reports.departmentsAboveMean(env.<Integer>getArgument("year"));
    }
}
