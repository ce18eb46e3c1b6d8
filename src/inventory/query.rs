//! Listing inventory records with filters, sorting and paging (filled in below).
