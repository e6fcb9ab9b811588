"""Enterprise requests (企呼我应): what firms, the business-environment office and the departments do with them."""
