"""Enterprise requests (企呼我应) as a kind of case: their two transition tables, rules and relations."""
