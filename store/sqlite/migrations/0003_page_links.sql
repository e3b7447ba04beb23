-- 0003: a page's outlinks with its recrawl state, so that a page answered
-- 304 Not Modified at any depth still has its links followed.

-- JSON array of URL strings (at most store.MaxPageLinks); NULL when not
-- recorded (states written before this migration), '[]' for a page
-- without links.
ALTER TABLE page_states ADD COLUMN links TEXT;
