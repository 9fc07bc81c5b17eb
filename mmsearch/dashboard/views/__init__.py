"""The dashboard's pages: each module is a script that Streamlit runs when its page is opened, never imported."""
