package dev.hiringkit.internal.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Backup;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code manifest.json}: what a backup holds, written after its files. Plain JSON, so people and
 * scripts can read it too.
 */
public final class BackupManifest {

    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private BackupManifest() {
    }

    public static byte[] write(Backup backup) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("id", backup.id());
        root.put("createdAt", backup.createdAt().toString());
        root.put("codec", backup.codec());
        ArrayNode tables = root.putArray("tables");
        for (Backup.TableFile file : backup.tables()) {
            tables.addObject()
                    .put("table", file.table().sqlName())
                    .put("key", file.key())
                    .put("rows", file.rows())
                    .put("bytes", file.bytes())
                    .put("sha256", file.sha256())
                    .put("schemaFingerprint", file.schemaFingerprint());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** Reads a manifest; one that is not whole or not ours is a {@code BACKUP_DAMAGED} error. */
    static Backup read(InputStream in, String where) throws IOException {
        try {
            JsonNode root = JSON.readTree(in);
            int format = required(root, "format").asInt();
            if (format != FORMAT) {
                throw damaged(where, "its format " + format + " is not " + FORMAT + " (written by another version?)");
            }
            List<Backup.TableFile> files = new ArrayList<>();
            for (JsonNode t : required(root, "tables")) {
                files.add(new Backup.TableFile(Table.fromName(required(t, "table").asText()),
                        required(t, "key").asText(), required(t, "rows").asLong(), required(t, "bytes").asLong(),
                        required(t, "sha256").asText(), required(t, "schemaFingerprint").asText()));
            }
            return new Backup(required(root, "id").asText(), Instant.parse(required(root, "createdAt").asText()),
                    required(root, "codec").asText(), files);
        } catch (IOException | RuntimeException e) {
            if (e instanceof HiringException h && h.code() == HiringException.Code.BACKUP_DAMAGED) {
                throw h;
            }
            throw damaged(where, e.getMessage());
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return value;
    }

    private static HiringException damaged(String where, String why) {
        return new HiringException(HiringException.Code.BACKUP_DAMAGED, "The manifest " + where + " is unreadable: " + why);
    }
}
