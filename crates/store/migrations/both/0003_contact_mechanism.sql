-- How a contact was held (its consultation mechanism): face to face,
-- telephone, video, email, text message or other; NULL when not recorded
-- (every contact stored before this migration).
ALTER TABLE contacts ADD COLUMN mechanism TEXT
    CHECK (mechanism IS NULL OR mechanism IN ('face_to_face', 'telephone', 'video', 'email', 'text_message', 'other'));
