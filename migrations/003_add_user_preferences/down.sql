-- 003_add_user_preferences (down): drops the trigger and the table 003 created.

DROP TRIGGER trg_user_preferences_updated_at;
DROP TABLE user_preferences;
