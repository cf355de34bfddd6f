//! In-band registration (XEP-0077) with data forms.
