package dev.hiringkit.model;

import dev.hiringkit.Table;

/**
 * A record of one of the three tables. Fields are boxed because a row given through the API may
 * lack one; the {@link dev.hiringkit.validation.Validator} says so before anything is stored.
 */
public sealed interface Row permits Department, Job, HiredEmployee {

    Integer id();

    Table table();

    /** The row as one CSV record in the challenge's format, empty where a field is missing. */
    String toCsv();
}
