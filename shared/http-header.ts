/** A header field name as configurations give it: an HTTP token (RFC 9110). */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const HEADER_NAME_MESSAGE = "expected a header name (letters, digits and !#$%&'*+-.^_`|~)";
