namespace WbcNca.Review;

/// <summary>
/// The review database's schema as an ordered list of steps. A database records the last step applied in
/// <c>PRAGMA user_version</c>; opening it applies the steps after that one, each in its own transaction. A step, once
/// released, is never edited: a change of the schema is a new step at the end.
/// </summary>
public static class SchemaMigrations
{
    /// <summary>Marks a SQLite file as a wbc-nca review database (<c>PRAGMA application_id</c>, "WBCR").</summary>
    public const int ApplicationId = 0x57424352;

    /// <summary>The steps, in order; step i has version i + 1.</summary>
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "models, samples, images, cells with the model's answer, and append-only reviews", $"""
            PRAGMA application_id = {ApplicationId};
            CREATE TABLE models (
                id        INTEGER PRIMARY KEY,
                file_name TEXT NOT NULL,
                sha256    TEXT NOT NULL,
                classes   TEXT NOT NULL,            -- JSON array of the model's class names, in its order
                UNIQUE (file_name, sha256)
            );
            CREATE TABLE samples (
                id         INTEGER PRIMARY KEY,
                name       TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            );
            CREATE TABLE images (
                sha256 TEXT PRIMARY KEY,
                format TEXT NOT NULL,               -- jpeg, png, bmp or tiff, read from the bytes
                bytes  BLOB NOT NULL                -- the upload as it came
            );
            CREATE TABLE cells (
                id              INTEGER PRIMARY KEY,
                sample_id       INTEGER NOT NULL REFERENCES samples (id),
                model_id        INTEGER NOT NULL REFERENCES models (id),
                image_sha256    TEXT NOT NULL REFERENCES images (sha256),
                file_name       TEXT NOT NULL,
                class           TEXT NOT NULL,      -- the model's answer, never changed
                class_index     INTEGER NOT NULL,
                confidence      REAL NOT NULL,
                probabilities   TEXT NOT NULL,      -- JSON array in the model's class order
                probability_std TEXT,               -- JSON array, or NULL for a single run
                status          TEXT NOT NULL CHECK (status IN ('ok', 'review', 'not_a_cell')),
                reason          TEXT NOT NULL,
                created_at      TEXT NOT NULL
            );
            CREATE TABLE reviews (
                id         INTEGER PRIMARY KEY,
                cell_id    INTEGER NOT NULL REFERENCES cells (id),
                label      TEXT NOT NULL,           -- a class of the cell's model, or not_a_cell
                action     TEXT NOT NULL CHECK (action IN ('confirm', 'correct')),
                reviewer   TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TRIGGER cells_keep_the_model_answer BEFORE UPDATE ON cells
                BEGIN SELECT RAISE(ABORT, 'a cell''s model answer is never changed; add a review'); END;
            CREATE TRIGGER reviews_are_not_changed BEFORE UPDATE ON reviews
                BEGIN SELECT RAISE(ABORT, 'reviews are appended, never changed'); END;
            CREATE TRIGGER reviews_are_not_deleted BEFORE DELETE ON reviews
                BEGIN SELECT RAISE(ABORT, 'reviews are appended, never deleted'); END;
            """),
        new(2, "indexes for a sample's cells and a cell's history, and the view of each cell's current label", """
            CREATE INDEX cells_by_sample ON cells (sample_id, id);
            CREATE INDEX reviews_by_cell ON reviews (cell_id, id);
            CREATE VIEW cell_labels AS
                SELECT c.id AS cell_id, r.id AS review_id, r.label, r.action, r.reviewer, r.created_at AS reviewed_at,
                       (SELECT COUNT(*) FROM reviews n WHERE n.cell_id = c.id) AS reviews
                FROM cells c
                LEFT JOIN reviews r ON r.id = (SELECT MAX(m.id) FROM reviews m WHERE m.cell_id = c.id);
            """),
        new(3, "users of a served page: name, role and the SHA-256 of their access token; revoked, never changed or deleted", """
            CREATE TABLE users (
                id           INTEGER PRIMARY KEY,
                name         TEXT NOT NULL,
                role         TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer')),
                token_sha256 TEXT NOT NULL UNIQUE,  -- the token itself is never stored
                created_at   TEXT NOT NULL,
                revoked_at   TEXT                   -- NULL while the token is valid
            );
            CREATE UNIQUE INDEX users_with_a_valid_token ON users (name) WHERE revoked_at IS NULL;
            CREATE TRIGGER users_are_only_revoked BEFORE UPDATE ON users
                WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name
                  OR NEW.role IS NOT OLD.role OR NEW.token_sha256 IS NOT OLD.token_sha256 OR NEW.created_at IS NOT OLD.created_at
                BEGIN SELECT RAISE(ABORT, 'a user is only ever revoked; add a new user for a new token or role'); END;
            CREATE TRIGGER users_are_not_deleted BEFORE DELETE ON users
                BEGIN SELECT RAISE(ABORT, 'users are revoked, never deleted'); END;
            """),
        new(4, "where each cell lies in its image (a field holds several): its index, the image's cell count, the nucleus's box and the frame the model saw; NULL for cells stored before", """
            ALTER TABLE cells ADD COLUMN cell_index     INTEGER;   -- 0: the first (the cell a one-cell answer gives)
            ALTER TABLE cells ADD COLUMN cells_in_image INTEGER;   -- white cells answered in the image (1 for a single cell)
            ALTER TABLE cells ADD COLUMN box_x          INTEGER;   -- the nucleus's box, in pixels of the image (NULL: none found)
            ALTER TABLE cells ADD COLUMN box_y          INTEGER;
            ALTER TABLE cells ADD COLUMN box_width      INTEGER;
            ALTER TABLE cells ADD COLUMN box_height     INTEGER;
            ALTER TABLE cells ADD COLUMN frame_x        INTEGER;   -- the square the model saw (may extend past the image)
            ALTER TABLE cells ADD COLUMN frame_y        INTEGER;
            ALTER TABLE cells ADD COLUMN frame_side     INTEGER;
            """),
        new(5, "who stored each cell (the user of the request's token, or the name the page sent on a server without tokens); NULL for cells stored before", """
            ALTER TABLE cells ADD COLUMN uploaded_by TEXT;
            """),
    ];

    /// <summary>The version a database has after every step.</summary>
    public static int Latest => All[^1].Version;
}
