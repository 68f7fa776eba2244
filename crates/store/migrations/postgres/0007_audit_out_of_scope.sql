-- Issue 11: the audit log also records requests that matched a record
-- outside the user's scope (action 'out-of-scope').
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('insert', 'update', 'delete', 'out-of-scope'));
