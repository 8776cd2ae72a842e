"""乡村振兴项目库看板: the project-library core. No Streamlit in here."""
