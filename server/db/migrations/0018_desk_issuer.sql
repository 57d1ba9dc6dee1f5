-- The desk screen (服务台) lists the verification codes it handed out: who at the desk handed out a
-- code (the staff account's login name; NULL for codes residents requested themselves and no desk
-- read out).
ALTER TABLE public_code ADD COLUMN desk_by text;
CREATE INDEX public_code_desk_idx ON public_code (desk_by, created_at) WHERE desk_by IS NOT NULL;
