package dev.hiringkit.model;

import java.util.List;
import java.util.Optional;

/**
 * One page of a keyset-paged listing ordered by id. {@code nextAfter} is the id to pass to get the
 * next page, empty on the last page.
 */
public record Page<T>(List<T> items, Optional<Integer> nextAfter) {

    public Page {
        items = List.copyOf(items);
    }
}
