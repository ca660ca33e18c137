package dev.hiringkit.internal.archive;

import dev.hiringkit.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The Avro schema of each table (the {@code .avsc} files beside this class) and how each of its fields
 * maps to a PostgreSQL column. The schemas are the single description of a backup's rows.
 */
public final class AvroTables {

    /** How a field is stored in PostgreSQL and in Avro. */
    enum Kind {
        /** integer / int */
        INT,
        /** text / string */
        TEXT,
        /** timestamptz / long with logical type timestamp-micros */
        TIMESTAMP
    }

    private static final Map<Table, String> FILES = Map.of(
            Table.DEPARTMENTS, "department.avsc",
            Table.JOBS, "job.avsc",
            Table.HIRED_EMPLOYEES, "hired_employee.avsc");

    private static final Map<Table, Schema> SCHEMAS = new EnumMap<>(Table.class);

    static {
        for (Table table : Table.values()) {
            Schema schema = parse(FILES.get(table));
            List<String> fields = schema.getFields().stream().map(Schema.Field::name).toList();
            if (!fields.equals(table.columns())) {
                throw new IllegalStateException(FILES.get(table) + " has fields " + fields + ", the table " + table.columns());
            }
            SCHEMAS.put(table, schema);
        }
    }

    private AvroTables() {
    }

    static Schema schema(Table table) {
        return SCHEMAS.get(table);
    }

    /** The kinds of a schema's fields, in field order. */
    static List<Kind> kinds(Schema schema) {
        return schema.getFields().stream().map(f -> kind(f.schema())).toList();
    }

    /** SHA-256 of the schema's parsing canonical form, in hex: equal for schemas that read alike. */
    public static String fingerprint(Schema schema) {
        try {
            return HexFormat.of().formatHex(SchemaNormalization.parsingFingerprint("SHA-256", schema));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Kind kind(Schema field) {
        return switch (field.getType()) {
            case INT -> Kind.INT;
            case STRING -> Kind.TEXT;
            case LONG -> {
                if (!(field.getLogicalType() instanceof LogicalTypes.TimestampMicros)) {
                    throw new IllegalStateException("a long field must be a timestamp-micros: " + field);
                }
                yield Kind.TIMESTAMP;
            }
            default -> throw new IllegalStateException("no column kind for " + field);
        };
    }

    private static Schema parse(String file) {
        try (InputStream in = AvroTables.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
