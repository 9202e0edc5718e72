-- Bytes that push libyaml out of the literal block the ConfigMap uses.
SELECT 1; -- expect: trailing-whitespace   
SELECT	1; -- expect: unsafe-character
SELECT 'café, 日本'; -- printable non-ASCII stays in the literal block
SELECT 3; -- expect: trailing-whitespace
-- A tab at the end is trailing whitespace, not a second finding.
SELECT 4; -- expect: trailing-whitespace	
SELECT 5; -- expect: unsafe-character, trailing-whitespace  
SELECT '😀'; -- expect: unsafe-character
SELECT 'a b'; -- expect: unsafe-character
SELECT 6;
