-- The knowledge library and the account team (docs/KNOWLEDGE.md).

-- An article written by provider staff, in Markdown. `company_id` NULL is
-- public (every client company sees it); otherwise only that company's
-- contacts (and staff) see it. Archived articles are kept for the audit
-- trail but shown to staff only.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    company_id INTEGER REFERENCES companies (id),
    author_id INTEGER NOT NULL REFERENCES staff (id),
    author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX articles_updated ON articles (updated_at, id);

-- Full-text index over titles and bodies, kept by the triggers below; the
-- text lives in `articles` (external content), so bm25 can rank it.
CREATE VIRTUAL TABLE article_search USING fts5 (
    title,
    body,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO article_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER articles_search_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO article_search (article_search, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO article_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- The provider's people for one client company: "Our account team".
CREATE TABLE account_teams (
    company_id INTEGER PRIMARY KEY REFERENCES companies (id),
    account_manager_id INTEGER REFERENCES staff (id),
    technician_id INTEGER REFERENCES staff (id),
    after_hours_phone TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
