"""DynamoDB expressions: lexer, parser (cached by text), trees that evaluate themselves."""
