-- Who made each load and batch: a name the caller gives (the server records 'user:alice',
-- 'client:nightly-etl' or 'oidc:jane'), null when none was given (and for rows written before this).
-- A batch is recorded by its rejected rows; a load by its row here and its rejected rows.
ALTER TABLE loads ADD COLUMN made_by varchar;
ALTER TABLE rejections ADD COLUMN made_by varchar;
