-- The search index gains prefix indexes of one and two characters: a word
-- of one or two letters typed last (matched as a prefix, docs/TICKETS.md
-- "Search") starts so many words that FTS5 would otherwise gather all
-- their matches before the first row. Longer prefixes are expanded to the
-- whole words they start (store::search_terms). The index is rebuilt from
-- the text it holds: titles and descriptions, and public posts.
DROP TABLE ticket_search;

CREATE VIRTUAL TABLE ticket_search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2'
);

INSERT INTO ticket_search (rowid, body)
    SELECT id << 20, title || char(10) || description FROM tickets;
INSERT INTO ticket_search (rowid, body)
    SELECT id, body FROM timeline WHERE kind IN (1, 2);
INSERT INTO ticket_search (ticket_search) VALUES ('optimize');
