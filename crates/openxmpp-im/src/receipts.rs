//! Message delivery receipts (XEP-0184).
