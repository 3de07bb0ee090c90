-- 003_add_user_preferences: per-user key/value preferences, removed with their user.
--
-- No separate index on user_id: UNIQUE (user_id, key) creates an index that leads with user_id, which serves both
-- the foreign key (cascading deletes) and "all preferences of a user".
--
-- No AUTOINCREMENT: it would make SQLite create its internal sqlite_sequence table, which can never be dropped, so
-- down.sql could not restore the schema exactly. Never reusing the id of a deleted preference buys nothing here.

CREATE TABLE user_preferences (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    UNIQUE(user_id, key)
);

-- Same rule as 001's triggers. IS rather than = because updated_at is nullable here: a row whose updated_at is
-- NULL gets a timestamp on its next update.
CREATE TRIGGER trg_user_preferences_updated_at
AFTER UPDATE ON user_preferences
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at AND NEW.updated_at IS NOT CURRENT_TIMESTAMP
BEGIN
    UPDATE user_preferences SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
