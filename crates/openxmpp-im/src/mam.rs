//! Message archive management (XEP-0313) with result set management (XEP-0059).
