//! A click track over the audio so the grid can be heard (downbeats accented).
